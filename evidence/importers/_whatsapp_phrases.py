"""The words WhatsApp itself writes into a chat export, in the languages it ships (``importers/whatsapp.py``): the
encryption notice, security-code changes, deleted messages, missed calls, "media omitted" placeholders and the Android "(file attached)" label.

Data, not logic: one table, a line per kind (``kind: phrase | phrase | ...``), casefolded, without the invisible
marks and the closing full stop. ``{name}`` in a security-code phrase stands for the contact's name; an
encryption phrase is the start of the notice (versions of the app finish the sentence differently).

Source: the phrases WhatsApp's iOS ``Localizable.strings`` and Android ``strings.xml`` hold for these keys, as
collected in starkdmi/whats_json ``lib/src/patterns.dart`` (commit 760b3a0a063f8e576156e72f5807c6ab283e0943,
GPL-3.0), normalised by this project; a phrase missing here is still imported (as text, or as a system line when
its structure says so), only its kind is not recognised.

Not an importer (its name starts with ``_``, so the registry test does not expect it in ``REGISTRY``).
"""

from __future__ import annotations

import re
from functools import cache

_TABLE = """
encryption: a csevegéseid és hívásaid automatikusan titkosít | ang inyong mga mensahe at tawag ay secured gamit
encryption: as mensagens e as chamadas são protegidas com a | as mensagens e chamadas são encriptadas ponto a
encryption: az üzenetek és hívások végpontok közötti titkosí | berichten en gesprekken worden end-to-end versle
encryption: beskeder og opkald er end-to-end-krypterede | deine nachrichten und anrufe werden automatisch
encryption: dina meddelanden och samtal är säkrade med kompl | dine beskeder og opkald er sikret med kryptering
encryption: dine meldinger og samtaler er sikret med krypter | déantar criptiúchán ó cheann go ceann ar theacht
encryption: els missatges i les trucades estan xifrats d'ext | els vostres missatges i trucades estan assegurad
encryption: i messaggi e le chiamate sono crittografati end- | i tuoi messaggi e le tue chiamate sono protetti
encryption: jou boodskappe en oproepe word beveilig met end- | jumbe zako na simu unazopiga zipo salama kwa ufu
encryption: jūsu ziņas un zvani ir aizsargāti ar pilnīgu šif | jūsų žinutės ir skambučiai yra apsaugoti ištisin
encryption: les messages et les appels sont chiffrés de bout | los mensajes y las llamadas están cifrados de ex
encryption: meddelanden och samtal är komplett krypterade | meldinger og samtaler er ende-til-ende-krypterte
encryption: mesajele dvs | mesajele și apelurile sunt criptate integral
encryption: mesajlar ve aramalar uçtan uca şifrelidir | mesajlarınız artık uçtan uca şifreleme ile korun
encryption: mesazhet dhe thirrjet tuaja janë të koduara fund | mesej dan panggilan disulitkan hujung ke hujung
encryption: mesej-mesej dan panggilan anda selamat dengan pe | messages and calls are end-to-end encrypted
encryption: nachrichten und anrufe sind ende-zu-ende-verschl | những tin nhắn và những cuộc gọi đã được bảo mật
encryption: pesan dan panggilan terenkripsi secara end-to-en | pesan-pesan dan panggilan anda diamankan dengan
encryption: poruke i pozivi zaštićeni su potpunom enkripcijo | quando é possível
encryption: sinu saadetavad sõnumid ja kõned on kaitstud ots | sizin göndərdiyiniz ismarıclar və zənglərinizin
encryption: správy a hovory sú zabezpečené šifrovaním počas | suas chamadas e mensagens estão seguras com crip
encryption: tin nhắn và cuộc gọi được mã hóa đầu cuối | tus mensajes y llamadas ahora están protegidos c
encryption: twoje wiadomości oraz połączenia są zabezpieczon | uw oproepen en berichten zijn beveiligd met end-
encryption: vaša sporočila in klici so zavarovani s šifriran | vaše správy a hovory sú zabezpečené šifrovaním p
encryption: vaše zprávy a hovory jsou zabezpečeny koncovým š | vaši pozivi i poruke koje pošaljete šifrirane su
encryption: viestit ja puhelut salataan täysin | vos messages et vos appels sont protégés avec le
encryption: wiadomości i połączenia są w pełni zaszyfrowane | xabarlaringiz va qo‘ng‘iroqlaringiz boshidan oxi
encryption: zprávy a hovory jsou opatřeny koncovým šifrování | τα μηνύματα και οι κλήσεισ κρυπτογραφούνται πλήρ
encryption: τα μηνύματα και οι κλήσεισ σασ είναι ασφαλή με κ | ваши сообщения и звонки защищены сквозным шифров
encryption: ваші повідомлення та дзвінки захищено наскрізним | повідомлення й дзвінки захищено наскрізним шифру
encryption: сообщения и звонки защищены сквозным шифрованием | съобщенията и обажданията ви са подсигурени с кр
encryption: сіздің хаттарыңыз және қоңырауларыңыз толығымен | твоите пораки и повици се обезбедени со шифрирањ
encryption: твоје поруке и позиви су обезбеђени са шифровање | ההודעות והשיחות מוצפנות מקצה-לקצה
encryption: ההודעות שהנך שולח/ת והשיחות הקוליות שהנך מבצע/ת | آپ کے پیغامات اور کالس شروع سے آخر تک رمزکاری کے
encryption: إن الرسائل التي ترسلها والمكالمات التي تجريها ضم | الرسائل والمكالمات مشفرة تمامًا بين الطرفين
encryption: میسجز اور کالز اینڈ ٹو اینڈ اینکرپشن کے ذریعے مح | پیام ها و تماس های شما رمزگذاری سرتاسری شده اند
encryption: پیام‌ها و تماس‌ها سرتاسر رمزگذاری شده‌اند | आपके द्वारा भेजे हुए सन्देश और कॉल्स शुरू से अंत
encryption: तुम्ही पाठवलेले संदेश आणि तुमचे कॉल्स संपूर्णपणे | मेसेजेस आणि कॉल्स एन्ड-टू-एन्ड एन्क्रिप्शनने सुर
encryption: मैसेजेस और कॉल्स एंड-टू-एंड एन्क्रिप्टेड हैं | আপনার বার্তা এবং কল দুই দিক থেকে এনক্রিপশানের মা
encryption: মেসেজ এবং কল এন্ড-টু-এন্ড এনক্রিপ্টেড থাকে | ਤੁਹਾਡੇ ਸੁਨੇਹੇ ਅਤੇ ਕਾਲਾਂ ਸਿਰੇ ਤੋਂ ਸਿਰੇ ਤੱਕ ਇੰਕ੍ਰਿ
encryption: તમારા સંદેશાઓ અને કૉલ્સ શરૂઆતથી અંત સુધી ગુપ્તીક | મેસેજ અને કૉલ શરૂથી અંત સુધી સુરક્ષિત છે
encryption: தங்கள் தகவல்களும் அழைப்புகளும் முழு மறையாக்கத்து | మీ సందేశాలు మరియు కాల్స్ ఇది whatsapp మరియు మూడవ
encryption: ನಿಮ್ಮ ಸಂದೇಶಗಳು ಮತ್ತು ಕರೆಗಳು ಕೊನೆಯಿಂದ-ಕೊನೆವರೆಗೆ ಎ | നിങ്ങളുടെ സന്ദേശങ്ങളും വിളികളും ആദ്യാവസാന എൻക്രി
encryption: ข้อความที่คุณส่งถึงแชทและการโทรนี้มีความปลอดภัยด | ข้อความและการโทรได้รับการเข้ารหัสจากต้นทางถึงปลา
encryption: メッセージと通話は、エンドツーエンドの暗号化によって保護されています | メッセージと通話はエンドツーエンド暗号化されています | 您傳送的訊息和通話都會進行端對端的加密
encryption: 您发送的信息和通话都会进行端对端的加密 | 消息和通话都进行端到端加密 | 訊息和通話經端對端加密 | 訊息已受端對端加密保護 | 메시지 및 전화는 암호화되어 안전합니다
encryption: 메시지 및 전화는 종단간 암호화되어 안전합니다
security-code: athraíodh an cód slándála atá agat le {name}
security-code: bezpečnostní kód mezi vámi a uživatelem {name} byl změněn
security-code: bezpečnostný kód, ktorý zdieľate s používateľom {name}, bol zmenený
security-code: cambió tu código de seguridad con {name} | codul dvs. de securitate cu {name} s-a schimbat
security-code: deine sicherheitsnummer für {name} hat sich geändert | din sikkerhedskode for {name} har ændret sig
security-code: el teu codi de seguretat amb {name} ha canviat
security-code: för att kontrollera en kontakts säkerhetskod öppnar du sidan för deras kontaktinfo och trycker “{name}”
security-code: il tuo codice di sicurezza con {name} è cambiato | kod keselamatan anda dengan {name} telah berubah
security-code: kode keamanan anda dengan {name} telah berubah | mã bảo mật của bạn với {name} đã thay đổi
security-code: o seu código de segurança partilhado com {name} mudou | seu código de segurança com {name} mudou
security-code: sikkerhetskoden med {name} ble endret | turvanumerosi muuttui henkilön {name} kanssa
security-code: twój kod zabezpieczeń z użytkownikiem {name} zmienił się
security-code: uw beveiligingscode voor {name} is gewijzigd | vaš sigurnosni kôd za kontakt {name} promijenio se
security-code: votre code de sécurité avec {name} a changé | your security code with {name} changed
security-code: {name} biztonsági kódja megváltozott | {name} ile aranızdaki güvenlik kodu değişti
security-code: {name} کے ساتھ آپ کا سیکیورٹی کوڈ تبدیل ہوگیا ہے۔ | {name} के लिए आपका सुरक्षा कोड बदल गया है
security-code: {name} સાથેનો તમારો સુરક્ષા કોડ બદલાઈ ગયો | {name}-এর সাথে আপনার নিরাপত্তা কোড পরিবর্তিত হয়েছে।
security-code: {name}とのセキュリティコードが変更されました。 | {name}님과의 보안 코드가 변경되었습니다 | ο κωδικόσ ασφαλείασ σασ με {name} άλλαξε
security-code: ваш код безопасности с контактом {name} изменился | код безпеки з контактом {name} змінився
security-code: קוד האבטחה עם {name} שונה | تغيّر رمز أمانك المُستخدَم مع {name} | کد امنیتی شما با {name} تغییر کرد
security-code: तुमचा {name} संबंधित सुरक्षा कोड बदलला आहे | รหัสความปลอดภัยของคุณกับ {name} มีการเปลี่ยนแปลง
security-code: 您和 {name} 的安全代码已更改。 | 您與 {name} 的安全碼已變更。 | 您與{name}之間的安全代碼已變更。
deleted: acest mesaj a fost șters | aquest missatge està esborrat | aquest missatge s'ha suprimit
deleted: bu ismarıc silindi | bu mesaj silindi | ce message a été supprimé | denne besked blev slettet
deleted: denne besked er blevet slettet | denne meldingen ble slettet | det här meddelandet raderades
deleted: detta meddelande raderades | diese nachricht wurde gelöscht | dit bericht is verwijderd
deleted: esta mensagem foi apagada | esta mensagem foi apagada pelo remetente | este mensaje fue eliminado
deleted: ez az üzenet törlésre került | hierdie boodskap was uitgevee | itong mensahe ay binura na
deleted: mensagem apagada | mesej ini telah dipadam | ova je poruka izbrisana | ova poruka je izbrisana
deleted: pesan ini dihapus | pesan ini telah dihapus | questo messaggio è stato eliminato
deleted: scriosadh an teachtaireacht seo | se eliminó este mensaje | see sõnum on kustutatud
deleted: ta wiadomość została usunięta | tato zpráva byla odstraněna | tato zpráva byla smazána
deleted: this message was deleted | tin nhắn này đã bị xoá | tin nhắn này đã bị xóa
deleted: to sporočilo je bilo izbrisano | táto správa bola odstránená | tämä viesti poistettiin
deleted: ujumbe huu ulifutwa | ushbu xabar o‘chirildi | ši žinutė buvo ištrinta | šī ziņa tika izdzēsta
deleted: αυτό το μήνυμα διαγράφηκε | бұл хат жойылды | данное сообщение удалено | ова порука је обрисана
deleted: оваа порака беше избришана | съобщението беше изтрито | це повідомлення було видалено
deleted: הודעה זו נמחקה | این پیام حذف شد | این پیام حذف شده است | تم حذف هذه الرسالة
deleted: یہ میسج حذف کر دیا گیا ہے۔ | یہ پیغام حذف کیا گیا | यह मैसेज डिलीट कर दिया गया है
deleted: यह संदेश मिटाया गया | हा मेसेज हटवण्यात आला | हा संदेश हटविण्यात आला होता
deleted: এই বার্তাটি মুছে ফেলা হয়েছে | এই মেসেজটি বাদ দেওয়া হয়েছে। | ਇਸ ਸੁਨੇਹੇ ਨੂੰ ਹਟਾਇਆ ਗਿਆ
deleted: આ મેસેજ ડિલીટ કરાયો | આ સંદેશ રદ્દ કરાયો | இத்தகவல் திரும்பப்பெறப்பட்டது | ಈ ಸಂದೇಶವು ಅಳಿಸಲ್ಪಟ್ಟಿದೆ
deleted: ഈ സന്ദേശം ഇല്ലാതാക്കിയതാണ് | ข้อความนี้ถูกลบแล้ว | ข้อความนี้ได้ถูกลบ | このメッセージは削除されました | 信息已删除
deleted: 此訊息已刪除 | 这条消息已被删除 | 이 메시지는 삭제되었습니다
you-deleted: anda menghapus pesan ini | anda telah memadamkan mesej ini | anda telah menghapus pesan ini
you-deleted: apagou esta mensagem | ați șters acest mesaj | binura mo itong mensahe | bu mesajı sildiniz
you-deleted: bạn đã xoá tin nhắn này | bạn đã xóa tin nhắn này | du har slettet denne besked
you-deleted: du har tagit bort meddelandet | du hast diese nachricht gelöscht | du raderade det här meddelandet
you-deleted: du raderade detta meddelande | du slettede denne besked | du slettet denne meldingen
you-deleted: eliminaste este mensaje | esta mensagem foi apagada | ezt az üzenetet törölted
you-deleted: hai eliminato questo messaggio | has esborrat aquest missatge | has suprimit aquest missatge
you-deleted: izbrisali ste ovu poruku | jy het boodskap uitgevee | jūs izdzēsāt šo ziņu
you-deleted: jūs ištrynėte šią žinutę | kustutasid selle sõnumi | mensagem apagada | poistit tämän viestin
you-deleted: scrios tú an teachtaireacht seo | siz bu ismarıcı sildiniz | siz ushbu xabarni o‘chirdingiz
you-deleted: to sporočilo ste izbrisali | tuto zprávu jste odstranil/a | tuto zprávu jste smazal/a
you-deleted: törölted ezt az üzenetet | túto správu ste odstránili | u hebt dit bericht verwijderd
you-deleted: umefuta ujumbe huu | usunąłeś(-ęłaś) tę wiadomość | usunąłeś(aś) tę wiadomość
you-deleted: você apagou esta mensagem | vous avez supprimé ce message | you deleted this message
you-deleted: διαγράψατε αυτό το μήνυμα | διαγράψατε το μήνυμα | ви видалили це повідомлення
you-deleted: вы удалили данное сообщение | вы удалили это сообщение | изтрихте това съобщение
you-deleted: обрисао/ла си ову поруку | сіз бұл хатты жойдыңыз | ја избриша оваа порака | מחקת את ההודעה הזו
you-deleted: מחקת הודעה זו | آپ نے اس پیغام کو حذف کیا | آپ نے یہ میسج حذف کر دیا ہے
you-deleted: آپ نے یہ میسج حذف کر دیا ہے۔ | أنت حذفت هذه الرسالة | شما این پیام را حذف کردید
you-deleted: لقد حذَفت هذه الرسالة | आपण हा संदेश हटविलात | आपने यह मैसेज डिलीट किया | आपने यह संदेश मिटाया
you-deleted: तुम्ही हा मेसेज हटवला | আপনি এই বার্তাটি মুছে ফেলেছেন | আপনি এই মেসেজটি বাদ দিয়েছেন
you-deleted: আপনি এই মেসেজটি বাদ দিয়েছেন। | ਤੁਸੀਂ ਇਹ ਸੁਨੇਹਾ ਹਟਾਇਆ | તમે આ મેસેજ ડિલીટ કર્યો
you-deleted: તમે આ સંદેશને રદ્દ કર્યો | இத்தகவலை தாங்கள் அழித்தீர்கள் | ನೀವು ಈ ಸಂದೇಶವನ್ನು ಅಳಿಸಿದ್ದೀರಿ
you-deleted: ഈ സന്ദേശം നിങ്ങൾ ഇല്ലാതാക്കി | คุณลบข้อความนี้ | คุณได้ลบข้อความนี้ | このメッセージを削除しました | 您删除这个信息
you-deleted: 您已删除这条消息 | 您已刪除此訊息 | 삭제한 메시지입니다 | 이 메시지를 삭제했습니다
missed-voice-call: apel vocal nepreluat | apel vocal ratat | appel vocal manqué | buraxılmış zəng
missed-voice-call: cevapsız sesli arama | chamada de voz perdida | chiamata vocale persa | cuộc gọi nhỡ
missed-voice-call: gemist spraakgesprek | gemiste spraakoproep | glao gutha caillte | guthghlao caillte
missed-voice-call: llamada de voz perdida | llamada perdida | missat röstsamtal | missat samtal | missed voice call
missed-voice-call: mistet opkald | nakaligtaang voice call | neatbildēts balss zvans | nem fogadott hanghívás
missed-voice-call: nieodebrane poł | nieodebrane poł. głosowe | nieodebrane połączenie
missed-voice-call: o‘tkazib yub. ovozli qo‘ng‘iroq | panggila suara terlepas | panggilan suara tak terjawab
missed-voice-call: panggilan suara terlepas | praleistas balso skambutis | propušten glasovni poziv
missed-voice-call: propušteni glasovni poziv | simu ya sauti uliyoikosa | stemoproep gemis | tak terjawab
missed-voice-call: tapt taleanrop | thirrje e shmangur | trucada de veu perduda | ubesvaret taleopkald
missed-voice-call: vastaamaton äänipuhelu | vastamata häälkõne | verpasster sprachanruf | zgrešen klic
missed-voice-call: zmeškaný hlasový hovor | zmeškaný hovor | αναπάντητη βιντεοκλήση | αναπάντητη κλήση
missed-voice-call: αναπάντητη φωνητική κλήση | жауапсыз қоңырау | пропуснато гласово обаждане
missed-voice-call: пропуштен гласовен повик | пропуштен гласовни позив | пропущений аудіодзвінок
missed-voice-call: пропущенный аудиозвонок | שיחה קולית שלא נענתה | تماس صوتی پاسخ داده نشده | مسڈ وائس کال
missed-voice-call: مكالمة صوتية فائتة | چھوٹی ہوئی صوتی کال | छूटी हुई ध्वनि कॉल | मिस्ड वॉइस कॉल | मिस्ड व्हॉइस कॉल
missed-voice-call: वॉइस कॉल मिस हुई | ভয়েস কল মিস করেছেন | মিসড ভয়েস কল | ਮਿਸ ਹੋਈ ਆਵਾਜ਼ ਕਾਲ | છૂટી ગયેલ ધ્વનિ કૉલ
missed-voice-call: છૂટી ગયેલો વોઇસ કૉલ | છૂટેલો વોઇસ કૉલ | தவறிய குரல் அழைப்பு | మిస్సేడ్ వాయిస్ కాల్
missed-voice-call: ತಪ್ಪಿದ ಧ್ವನಿ ಕರೆ | വിളി നഷ്ടപ്പെട്ടു | สายที่ไม่ได้รับ | 不在着信 | 未接語音通話 | 未接语音通话 | 音声通話不在着信 | 부재중 전화
missed-video-call: apel video nepreluat | apel video ratat | appel vidéo manqué | buraxılmış video zəng
missed-video-call: cevapsız görüntülü arama | chamada de vídeo perdida | cuộc gọi nhỡ video | físghlao caillte
missed-video-call: gemist videogesprek | gemiste video-oproep | missat videosamtal | missed video call
missed-video-call: mistede video opkald | nakaligtaang video call | neatbildēts video zvans | nem fogadott videohívás
missed-video-call: nem fogadott videóhívás | neodgovorjen video klic | nieodebrane poł. wideo
missed-video-call: o‘tkazib yub. videoqo‘ng‘iroq | panggilan video tak terjawab | panggilan video terlepas
missed-video-call: praleistas video skambutis | propušten video poziv | propušteni videopoziv
missed-video-call: simu ya video uliyoikosa | tapt videoanrop | tapt videosamtale | trucada de vídeo perduda
missed-video-call: ubesvaret videoopkald | vastaamaton videopuhelu | vastamata videokõne | verpasster videoanruf
missed-video-call: video-oproep gemis | videochamada perdida | videochiamata persa | videollamada perdida
missed-video-call: videothirrje e shmangur | videotrucada perduda | zmeškaný videohovor | αναπάντητη βιντεοκλήση
missed-video-call: жауапсыз видео қоңырау | пропуснато видео обаждане | пропуштен видео повик | пропуштен видео позив
missed-video-call: пропущений відеодзвінок | пропущенный видеозвонок | שיחת וידאו שלא נענתה | تماس تصویری بی‌پاسخ
missed-video-call: تماس تصویری پاسخ داده نشده | مسڈ ویڈیو کال | مكالمة فيديو فائتة | چھوٹی ہوئی ویڈیو کال
missed-video-call: छूटी हुई विडियो कॉल | मिस्ड वीडियो कॉल | मिस्ड व्हिडिओ कॉल | ভিডিও কল মিস করেছেন | মিস করা ভিডিও কল
missed-video-call: ਮਿਸ ਹੋਈ ਵੀਡੀਓ ਕਾਲ | છૂટી ગયેલ વિડિઓ કૉલ | છૂટી ગયેલ વિડિયો કૉલ | தவறிய காணொலி அழைப்பு
missed-video-call: తప్పిన వీడియోకాల్ | ತಪ್ಪಿದ ದೃಶ್ಯ ಕರೆ | നഷ്ടമായ വീഡിയോ കാൾ | วิดีโอคอลที่ไม่ได้รับ
missed-video-call: สายโทรวิดีโอที่ไม่ได้รับ | ビデオ通話不在着信 | 未接視像通話 | 未接视频通话 | 부재중 영상통화
omitted: adhesiu omès | afbeelding weggelaten | audio omesso | audio omis | audio omitido | audio omitted
omitted: audio pominięte | audio tidak dimasukkan | audio tidak disertakan | audio weggelassen
omitted: audio weggelaten | belge dahil edilmedi | bild utesluten | bild weggelassen | bilde ikke inkludert
omitted: billede udeladt | bỏ qua thẻ liên lạc | bỏ qua tệp âm thanh | carte de vizită contact omisă
omitted: cartão do contato omitido | clip video omis | comhad fuaime ar lár | contact card omitted
omitted: contacto não revelado | cáipéis ligthe ar lár | cárta teagmhála ar lár | document manquant
omitted: document omis | document omitted | document omès | document weggelaten | documento não revelado
omitted: documento omesso | documento omitido | dokumen tidak dimasukkan | dokumen tidak disertakan
omitted: dokument izostavljen | dokument pominięty | dokument udeladt | dokument uteslutet
omitted: dokument vynechaný | dokument vynechán | dokument weggelassen | dokumenttia ei sisällytetä
omitted: dokumentum kihagyva | ei kuvaa | fiche contact manquante | ficheiro de áudio não revelado
omitted: figurinha omitida | fágadh an greamán ar lár | físeán ligthe ar lár | fără audio
omitted: gambar tidak disertakan | gif dahil edilmedi | gif esclusa | gif fájl kihagyása | gif izostavljen
omitted: gif ligthe ar lár | gif não revelada | gif omis | gif omitido | gif omitted | gif omès | gif retiré
omitted: gif tidak dimasukkan | gif tidak disertakan | gif udeladt | gif utelatt | gif utesluten
omitted: gif vynechaný | gif vynechán | gif weggelassen | gif weggelaten | gif отсутствует | gif הושמט
omitted: gif حذف شد | gif نظرانداز | gif छोड़ा गया | gif वगळले | gif પડતી મૂકાઈ | gif 动态图已被忽略 | gif 圖片已被省略
omitted: gif 已略去 | gif 생략됨 | gif-animaatio jätetty pois | gif-анімацію пропущено | gifは含まれていません
omitted: görüntü dahil edilmedi | hang kihagyása | image absente | image omitted | imagem não revelada
omitted: imagem ocultada | imagen omitida | imagine omisă | imatge omesa | imej tidak dimasukkan
omitted: immagine omessa | kad kenalan tidak dimasukkan | karta kontaktu vynechaná
omitted: kartu kontak tidak disertakan | kişi kartı dahil edilmedi | klistermærke udeladt
omitted: klistremerke utelatt | kontaktkarte ausgelassen | kontaktkort sløyfet | kontaktkort udeladt
omitted: kontaktkort uteslutet | kép küldése sikertelen | ljud utelslutet | lyd udeladt | lyd utelatt
omitted: matrica kihagyva | naljepnica izostavljena | nálepka vynechaná | nálepka vynechána
omitted: névjegykártya kihagyva | obraz pominięty | obrázek vynechán | obrázok vynechaný
omitted: pelekat tidak disertakan | plik gif pominięty | pominięta wizytówka kontaktu | pominięto naklejkę
omitted: posjetnica izostavljena | scheda contatto omessa | ses dahil edilmedi | slika izostavljena
omitted: sticker non incluso | sticker não revelado | sticker omis | sticker omitido | sticker omitted
omitted: sticker utesluten | sticker weggelassen | sticker weggelaten | stiker tidak disertakan
omitted: targeta de contacte omesa | tarjeta de contacto omitida | tarraa ei sisällytetty | utelatt dokument
omitted: video dahil edilmedi | video izostavljen | video omesso | video omitido | video omitted
omitted: video tidak dimasukkan | video tidak disertakan | video udeladt | video utelatt | video utesluten
omitted: video vynechané | video vynecháno | video weggelassen | video weggelaten | videota ei sisällytetä
omitted: videó kihagyva | vidéo absente | visitekaartje weggelaten | vizitka vynechána | vídeo não revelado
omitted: vídeo omitido | vídeo omès | wideo pominięte | yhteystietokortti jätettiin pois | zvuk izostavljen
omitted: zvuk vynechaný | zvukový soubor vynechán | àudio omès | áudio ocultado
omitted: äänitiedostoa ei sisällytetä | çıkartma dahil edilmedi | íomhá ligthe ar lár | đã bỏ qua hình ảnh
omitted: đã bỏ qua tài liệu | đã bỏ qua ảnh gif | đã bỏ sticker | đã bỏ video | έγγραφο παραλείφθηκε
omitted: ήχοσ παραλείφθηκε | αυτοκόλλητο παραλήφθηκε | βίντεο παραλείφθηκε | εικόνα παραλείφθηκε
omitted: η κάρτα επαφήσ παραλήφθηκε | παράληψη gif | аудиофайл отсутствует | аудіо відсутнє
omitted: видео отсутствует | відео відсутнє | документ отсутствует | документ пропущено | зображення відсутнє
omitted: изображение отсутствует | картка контакту відсутня | карточка контакта отсутствует
omitted: наклейку не додано | стикер не добавлен | התמונה הושמטה | כרטיס איש קשר הושמט | מסמך הושמט
omitted: סטיקר הושמט | סרטון הווידאו הושמט | קטע קול הושמט | آڈیو نظرانداز | استیکر حذف شد | اسٹیکر نظرانداز
omitted: برگ مخاطب حذف شد | تصویر حذف شد | تصویر نکال دی گئی ہے | تم حذف الملصقات | دستاویز نظرانداز
omitted: رابطہ کارڈ نظر انداز | سند حذف شد | صدا حذف شد | لم يتم إدراج الصورة | لم يتم إدراج الفيديوهات
omitted: لم يتم إدراج المستند | لم يتم إدراج المقاطع الصوتية | لم يتم إدراج بطاقة جهة اتصال
omitted: لم يتم إدراج صورة gif | ویدیو حذف شد | ویڈیو نظرانداز | इमेज वगळली | ऑडिओ वगळला | ऑडियो हटाई गयी
omitted: कॉन्टैक्ट कार्ड छोड़ा गया | डॉक्युमेंट वगळले | डॉक्यूमेंट छोड़ा गया | फ़ोटो हटाई गई | वीडियो छोड़ा गया
omitted: व्हिडीओ वगळला | संपर्क कार्ड वगळले | स्टिकर छोड़ा गया | स्टिकर वगळले | অডিও বাদ দেওয়া হয়েছে
omitted: ইমেজ বাদ দেওয়া হয়েছে | জিআইএফ বাদ দেওয়া হয়েছে | ডকুমেন্ট বাদ দেওয়া হয়েছে
omitted: পরিচিতির কার্ড বাদ দেওয়া হয়েছে | ভিডিও বাদ দেওয়া হয়েছে | স্টিকার বাদ দেওয়া হয়েছে
omitted: ઓડિયો ફાઇલ શામેલ કરી નથી | છબી પડતી મૂકાઈ | ડોક્યુમેન્ટ સામેલ કર્યું નહિ | વિડિયો પડતી મુકાઈ
omitted: સંપર્કનું કાર્ડ પડતું મૂકાયું | સ્ટીકર પડતું મુકાયું | บัตรรายชื่อที่ละเว้น | ละเว้น gif
omitted: ละเว้นเอกสาร | วิดีโอถูกลบ | ไม่มีรูปภาพ | ไม่มีสติกเกอร์ | ไม่มีไฟล์เสียง | スタンプは含まれていません
omitted: ドキュメントは含まれていません | ビデオは含まれていません | 圖像已省略 | 圖片已略去 | 影片已略去 | 影片已省略 | 文件已忽略 | 文件已略去 | 文档已省略 | 照片已忽略
omitted: 画像は含まれていません | 联系人卡片已忽略 | 聯絡人卡片已略去 | 聯絡人卡片已省略 | 视频已忽略 | 貼圖已忽略 | 貼圖已略去 | 贴图已省略 | 連絡先カードを省略
omitted: 音声は含まれていません | 音訊已略去 | 音訊已省略 | 音频已忽略 | 문서 생략됨 | 비디오 생략됨 | 스티커 제외됨 | 연락처 카드 생략됨 | 오디오 생략됨 | 이미지 생략됨
omitted-android: archivo omitido | archivos omitido | bez multivides | bỏ qua media | contingut multimèdia vynecháno
omitted-android: conținut media omis | fayl o‘tkazib yuborildi | ficheiro não revelado
omitted-android: ficheiros e ligações revelado | fichier omis | hiányzó médiafájl | media disingkirkan
omitted-android: media har utelämnats | media imerukwa | media jätetty pois | media kihagyva | media mancante
omitted-android: media omesso | media omitido | media omitted | media pominięte | media tidak disertakan
omitted-android: media utelatt | media weggelaat | media weggelaten | media çıxarılmışdır | media วิดีโอถูกลบ
omitted-android: mediat lár | mediefil udeladt | medien fehlen | medien weggelassen | medier weggelaten | medier شد
omitted-android: medij izpuščen | medijski zapis izostavljen | medijski zapisi disertakan | medya atlanmış
omitted-android: medya نظرانداز | meedia ära jäetud | meáin મુકાઈ | mitjans omesos | multimedia vynechané
omitted-android: média manquante | média udeladt | média vynechána | média vynechány | média ビデオは含まれていません
omitted-android: médias absente | médiá utesluten | médiá vynechané | mídia omis | mídia omitida | pa media
omitted-android: pliki pominięto | praleistas medijos turinys | tệp phương tiện 视频已忽略 | uten vedlegg
omitted-android: walang kalakip na media | αποχρεωτική παραλαβή μέσων | αρχεία παραλείφθηκε | εξαίρεση πολυμέσων
omitted-android: без медиафайлов | без файл | без фајл | медиа отсутствует | медији су изостављени | медіа відсутня
omitted-android: медіа пропущено | медіафайли відсутнє | файл пропущен | файл қосылған жоқ | המדיה הוסרה
omitted-android: המדיה לא נכללה | מדיה הושמט | מדיה הושמטה | الوسائط والروابط والمستندات الفيديوهات
omitted-android: تم استبعاد الوسائط | رسانه‌ها، پیوندها و اسناد sisällytetä | ملفات مفقودة | میڈیا چھوڑ دیا گیا
omitted-android: میڈیا، لنکس، اور دستاویزات video | پيوست نما/آهنگ حذف شد | मीडिया izostavljen | मीडिया के बिना
omitted-android: मीडिया फाइल्स dimasukkan | मीडिया वगळले | মিডিয়া বাদ দেওয়া হয়েছে | মিডিয়া হয়েছে | ਮੀਡੀਆ ਛੱਡਿਆ ਗਿਆ
omitted-android: મીડિયા गया | મીડિયા અવગણાયું | ஊடகங்கள் நீக்கப்பட்டது | మాధ్యమం విస్మరించబడింది | ಮೀಡಿಯಾ ಕೈಬಿಡಲಾಗಿದೆ
omitted-android: മീഡിയ ഒഴിവാക്കി | สื่อ ลิงก์ และเอกสาร edilmedi | สื่อถูกลบ | メディア、リンク、ドキュメント 생략됨 | メディアは含まれていません
omitted-android: 媒体、链接和文件 影片已省略 | 媒體、連結和文件 影片已略去 | 忽略多媒體檔 | 省略多媒体文件 | 미디어 वगळला | 미디어 파일을 생략한 대화내용
attached-android: file attached | archivo adjuntado | arquivo anexado | arxiu adjunt | bestand bijgevoegd
attached-android: bifogad fil | byla prisegta | datei angehängt | datoteka u privitku | dosya ekli | fail dilampirkan
attached-android: fail lisatud | faili limeambatanishwa | fayl biriktirildi | fayl əlavə olunub | ficheiro anexado
attached-android: fichier joint | fil vedhæftet | file allegato | file terlampir | fișier atașat | fájl csatolva
attached-android: liitetiedosto | lêer aangeheg | nakalakip na file | pievienots fails | priložena datoteka
attached-android: skedë e ngjitur | soubor byl přiložen | súbor pripojený | tệp đính kèm | vedlagt fil
attached-android: załączony plik | συνημμένο αρχείο | прикачен файл | прикачен фајл | прикачена датотека
attached-android: файл добавлен | файл додано | қосымша файл | קובץ מצורף | الملف مرفق | پیوستہ فائل
attached-android: फाइल अटैच कर दी गई है | फाइल संलग्न | ফাইল সংযুক্ত হয়েছে | ਅਟੈਚ ਕੀਤੀ ਫਾਇਲ | ફાઇલ જોડાયેલ
attached-android: ணைக்கப்பட்டத | ఫైల్ జోడించబడినది | ಕಡತ ಸೇರಿಸಲಾಯಿತು | ഫയൽ ചേർത്തു | ไฟล์ที่แนบ | 文件附件 | 添付ファイル有り
attached-android: 附件檔案 | 파일 첨부됨
"""


@cache
def phrases(kind: str) -> frozenset[str]:
    """Every phrase of ``kind`` in the table (casefolded, marks and closing full stop removed)."""
    found: set[str] = set()
    for line in _TABLE.splitlines():
        name, sep, rest = line.partition(": ")
        if sep and name == kind:
            found.update(p.strip() for p in rest.split(" | ") if p.strip())
    return frozenset(found)


@cache
def starts(kind: str) -> tuple[str, ...]:
    """The phrases of ``kind`` as a tuple, for ``str.startswith``."""
    return tuple(sorted(phrases(kind)))


@cache
def security_code_pattern() -> re.Pattern[str]:
    """ "Your security code with X changed" in every language of the table, X any name, as one pattern."""
    return re.compile(
        "|".join(
            "".join(".+?" if part == "{name}" else re.escape(part) for part in re.split(r"(\{name\})", p))
            for p in sorted(phrases("security-code"))
        )
    )
